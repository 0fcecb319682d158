/**
 * Focus for every modal dialog, in one place: when a dialog (role="dialog", aria-modal="true")
 * appears, focus moves into it (its autofocus field, else its first control); Tab and Shift+Tab
 * stay inside it; when it closes, focus goes back to what had it before, so a budtender with a
 * scanner in one hand never has to find their place again with the mouse.
 *
 * Watching the DOM keeps this out of each dialog's code: a new dialog gets it by being a dialog.
 */
import { useEffect } from 'react';

const MODAL = '[role="dialog"][aria-modal="true"]';
const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function topmostModal(): HTMLElement | null {
  const all = document.querySelectorAll<HTMLElement>(MODAL);
  return all.length > 0 ? all[all.length - 1]! : null;
}

function focusablesIn(dialog: HTMLElement): HTMLElement[] {
  return Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((element) => element.offsetParent !== null || element === document.activeElement);
}

/**
 * Where focus lands in a new dialog: its autofocus element, else its first field, else its primary
 * button, else its first control (never Cancel first when there is anything better: Enter on a
 * focused Cancel would close what the person meant to confirm).
 */
function firstTarget(dialog: HTMLElement): HTMLElement | null {
  const items = focusablesIn(dialog);
  return (
    dialog.querySelector<HTMLElement>('[autofocus], [data-autofocus]') ??
    items.find((element) => element.matches('input, select, textarea')) ??
    items.find((element) => element.matches('.primary')) ??
    items[0] ??
    null
  );
}

export function useDialogFocus(): void {
  useEffect(() => {
    /** The last element focused outside every dialog: where focus returns. */
    let lastOutside: HTMLElement | null = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const returnTo = new Map<HTMLElement, HTMLElement | null>();

    const onFocusIn = (event: FocusEvent) => {
      const target = event.target;
      if (target instanceof HTMLElement && !target.closest(MODAL)) lastOutside = target;
    };

    const sync = () => {
      const open = Array.from(document.querySelectorAll<HTMLElement>(MODAL));
      for (const dialog of open) {
        if (returnTo.has(dialog)) continue;
        returnTo.set(dialog, topmostBelow(dialog, open) ?? lastOutside);
        if (!dialog.contains(document.activeElement)) {
          const target = firstTarget(dialog);
          if (target) target.focus();
          else {
            if (!dialog.hasAttribute('tabindex')) dialog.setAttribute('tabindex', '-1');
            dialog.focus();
          }
        }
      }
      for (const [dialog, back] of [...returnTo]) {
        if (open.includes(dialog)) continue;
        returnTo.delete(dialog);
        const stillOpen = topmostModal();
        // Back to where focus was, unless another dialog is still open (then into that one).
        if (stillOpen) {
          if (!stillOpen.contains(document.activeElement)) (back && stillOpen.contains(back) ? back : focusablesIn(stillOpen)[0])?.focus();
        } else if (back && back.isConnected) back.focus();
      }
    };

    /** A dialog opened from inside another returns focus into the one below it. */
    function topmostBelow(dialog: HTMLElement, open: HTMLElement[]): HTMLElement | null {
      const index = open.indexOf(dialog);
      if (index <= 0) return null;
      const active = document.activeElement;
      return active instanceof HTMLElement && open[index - 1]!.contains(active) ? active : null;
    }

    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Tab') return;
      const dialog = topmostModal();
      if (!dialog) return;
      const items = focusablesIn(dialog);
      if (items.length === 0) {
        event.preventDefault();
        return;
      }
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const active = document.activeElement;
      if (!dialog.contains(active)) {
        event.preventDefault();
        first.focus();
      } else if (event.shiftKey && active === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
      }
    };

    const observer = new MutationObserver(sync);
    observer.observe(document.body, { childList: true, subtree: true });
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('keydown', onKeyDown, true);
    sync();
    return () => {
      observer.disconnect();
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('keydown', onKeyDown, true);
    };
  }, []);
}
