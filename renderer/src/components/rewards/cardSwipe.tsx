/**
 * Card swipes (scan.received kind 'card'): a Connect/Replace Card dialog captures them while it is
 * open; otherwise the screen that shows customers (Customers at intake, the Register) turns the
 * swipe into its customer. Both take the swipe from the scan store, so it is acted on once.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import { call } from '../../register';
import { useScans } from '../devices/scanStore';

interface CardSwipeStore {
  /** A Connect/Replace Card dialog is open: swipes are its, not a lookup's. */
  capturing: boolean;
  /** The last swipe that found nobody (or a replaced card), until dismissed. */
  problem: string | null;
  setCapturing(capturing: boolean): void;
  setProblem(problem: string | null): void;
}

export const useCardSwipeStore = create<CardSwipeStore>((set) => ({
  capturing: false,
  problem: null,
  setCapturing: (capturing) => set({ capturing }),
  setProblem: (problem) => set({ problem }),
}));

/** Opens the customer a swiped card belongs to; a card that finds nobody shows the reason. */
export function useCardSwipe(onCustomer: (customerId: string) => void, enabled = true): void {
  const pending = useScans((state) => state.pending);
  useEffect(() => {
    if (!enabled || pending?.kind !== 'card' || useCardSwipeStore.getState().capturing) return;
    const scan = useScans.getState().take('card');
    if (!scan) return;
    void call('rewards.findByCard', { cardNumber: scan.cardNumber }).then((result) => {
      if (result.ok) {
        useCardSwipeStore.getState().setProblem(null);
        onCustomer(result.value.customerId);
      } else {
        useCardSwipeStore.getState().setProblem(result.error.message);
      }
    });
  }, [pending, enabled, onCustomer]);
}

/** The banner for a swipe that found nobody (mounted once, by the shell's scan listener). */
export function CardSwipeProblem() {
  const problem = useCardSwipeStore((state) => state.problem);
  const dismiss = () => useCardSwipeStore.getState().setProblem(null);
  useEffect(() => {
    if (!problem) return;
    const timer = setTimeout(dismiss, 15_000);
    return () => clearTimeout(timer);
  }, [problem]);
  if (!problem) return null;
  return (
    <div className="scan-problem" role="alert" data-testid="card-swipe-problem">
      <div className="scan-problem-text">
        <strong>{problem}</strong>
      </div>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
