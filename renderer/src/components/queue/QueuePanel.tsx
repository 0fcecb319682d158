/**
 * The customer queue: drafts (orange) above checked-in customers (green) in queue order, a
 * caregiver's patients nested under them. Drag a tile by its handle, or focus the handle and use
 * Space and the arrow keys, to reorder; X removes one; the trash clears all when the store's
 * setting shows it. Choosing a customer opens their ticket at the Register.
 *
 * Mount anywhere (the Queue screen, a side panel on Customers): it keeps itself live.
 */
import { useMemo, useState } from 'react';
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from '@dnd-kit/core';
import { SortableContext, arrayMove, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { newCommandId } from './commandId';
import { QueuePhoto } from './QueuePhoto';
import { openAtRegister } from './selectedCustomer';
import { formatAllotment, formatWait, TYPE_LABELS, type CustomerDraftSummary, type QueueEntry } from './types';
import { useNow, useQueue } from './useQueue';
import { call } from '../../register';
import '../../styles/queue.css';

export interface QueuePanelProps {
  /** Narrow layout for a side panel. */
  compact?: boolean;
  /** Called when a draft tile is chosen (the Customers screen opens the draft). */
  onOpenDraft?(draft: CustomerDraftSummary): void;
}

interface Group {
  head: QueueEntry;
  nested: QueueEntry[];
}

export function QueuePanel({ compact = false, onOpenDraft }: QueuePanelProps) {
  const { view, drafts, error, accept, reload } = useQueue();
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const now = useNow();
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  const groups = useMemo<Group[]>(() => {
    const result: Group[] = [];
    for (const entry of view?.entries ?? []) {
      const parent = entry.parentEntryId ? result.find((group) => group.head.id === entry.parentEntryId) : undefined;
      if (parent) parent.nested.push(entry);
      else result.push({ head: entry, nested: [] });
    }
    return result;
  }, [view]);

  // Spoken by screen readers (and read by tests) while a tile is moved with the keyboard: names
  // and places, not the entries' internal ids.
  const announcements = useMemo<Announcements>(() => {
    const nameOf = (id: string | number) => groups.find((group) => group.head.id === String(id))?.head.displayName ?? 'this customer';
    const placeOf = (id: string | number) => groups.findIndex((group) => group.head.id === String(id)) + 1;
    return {
      onDragStart: ({ active }) => `Picked up ${nameOf(active.id)}, place ${placeOf(active.id)} of ${groups.length}.`,
      onDragOver: ({ active, over }) => {
        if (!over) return `${nameOf(active.id)} is outside the queue.`;
        if (over.id === active.id) return `${nameOf(active.id)} is at place ${placeOf(active.id)}.`;
        return `${nameOf(active.id)} moved to place ${placeOf(over.id)}, where ${nameOf(over.id)} is.`;
      },
      onDragEnd: ({ active, over }) =>
        over ? `${nameOf(active.id)} dropped at place ${placeOf(over.id)}.` : `${nameOf(active.id)} dropped back in place.`,
      onDragCancel: ({ active }) => `Moving ${nameOf(active.id)} cancelled.`,
    };
  }, [groups]);

  const run = async (promise: ReturnType<typeof call<'queue.remove'>>) => {
    const result = await promise;
    if (result.ok) {
      setProblem(null);
      accept(result.value);
    } else {
      setProblem(result.error.message);
      void reload();
    }
  };

  const onDragEnd = (event: DragEndEvent) => {
    const { active, over } = event;
    if (!view || !over || active.id === over.id) return;
    const ids = groups.map((group) => group.head.id);
    const from = ids.indexOf(String(active.id));
    const to = ids.indexOf(String(over.id));
    if (from < 0 || to < 0) return;
    const order = arrayMove(ids, from, to);
    // Show the new order at once; the core's answer (or its refusal) follows.
    const byId = new Map(groups.map((group) => [group.head.id, group]));
    const entries = order.flatMap((id) => {
      const group = byId.get(id)!;
      return [group.head, ...group.nested];
    });
    accept({ ...view, entries });
    void run(call('queue.reorder', { commandId: newCommandId(), order }));
  };

  const count = view?.entries.length ?? 0;
  return (
    <section className={`queue-panel${compact ? ' queue-compact' : ''}`} aria-labelledby="queue-panel-title">
      <div className="queue-head">
        <h2 id="queue-panel-title">
          Queue <span className="queue-count">{count === 1 ? '1 customer' : `${count} customers`}</span>
        </h2>
        {view?.showClearButton && count > 0 ? (
          <button type="button" className="queue-trash" onClick={() => setConfirmClear(true)} aria-label="Clear the whole queue">
            <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6" />
            </svg>
            Clear queue
          </button>
        ) : null}
      </div>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {problem ? <p className="error" role="alert">{problem}</p> : null}
      {drafts.length > 0 ? (
        <ul className="queue-list" aria-label="Drafts not saved yet">
          {drafts.map((draft) => (
            <li key={draft.id}>
              <button type="button" className="queue-tile queue-draft" onClick={() => onOpenDraft?.(draft)} disabled={!onOpenDraft}>
                <span className="queue-photo" aria-hidden="true">
                  ✎
                </span>
                <span className="queue-main">
                  <span className="queue-name">{draft.title || 'Untitled draft'}</span>
                  <span className="queue-meta">
                    {draft.customerId ? 'Draft of an edit' : 'New signup draft'}
                    {draft.employeeName ? ` by ${draft.employeeName}` : ''} · {formatWait(now - draft.updatedAt)} ago
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {view && count === 0 ? <p className="queue-empty">Nobody is waiting. Check a customer in to add them.</p> : null}
      {view === null && !error ? <p>Loading the queue…</p> : null}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{ announcements }}
      >
        <SortableContext items={groups.map((group) => group.head.id)} strategy={verticalListSortingStrategy}>
          <ol className="queue-list" aria-label="Checked-in customers">
            {groups.map((group, index) => (
              <SortableGroup
                key={group.head.id}
                group={group}
                position={index + 1}
                now={now}
                onRemove={(entry) => void run(call('queue.remove', { commandId: newCommandId(), entryId: entry.id }))}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
      {confirmClear ? (
        <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="queue-clear-title">
          <div className="dialog">
            <h2 id="queue-clear-title">Clear the queue?</h2>
            <p className="dialog-lead">
              All {count} checked-in customers leave the queue. They must be checked in again to be served.
            </p>
            <div className="row">
              <button
                type="button"
                className="danger-button"
                onClick={() => {
                  setConfirmClear(false);
                  void run(call('queue.clear', { commandId: newCommandId() }));
                }}
              >
                Clear the queue
              </button>
              <button type="button" className="secondary" onClick={() => setConfirmClear(false)} autoFocus>
                Keep it
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </section>
  );
}

function SortableGroup({ group, position, now, onRemove }: { group: Group; position: number; now: number; onRemove(entry: QueueEntry): void }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: group.head.id });
  const style = { transform: CSS.Transform.toString(transform), transition };
  return (
    <li ref={setNodeRef} style={style} className={`queue-group${isDragging ? ' queue-dragging' : ''}`} data-testid="queue-entry" data-name={group.head.displayName}>
      <div className="queue-row">
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="queue-handle"
          aria-label={`Move ${group.head.displayName} (number ${position}): press Space, then the arrow keys`}
          {...attributes}
          {...listeners}
        >
          <span aria-hidden="true">⠿</span>
        </button>
        <Tile entry={group.head} now={now} onRemove={onRemove} />
      </div>
      {group.nested.length > 0 ? (
        <ul className="queue-nested" aria-label={`Patients with ${group.head.displayName}`}>
          {group.nested.map((entry) => (
            <li key={entry.id} className="queue-row" data-testid="queue-nested" data-name={entry.displayName}>
              <Tile entry={entry} now={now} onRemove={onRemove} />
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

const SOURCE_LABEL: Record<QueueEntry['allotmentSource'], string> = {
  state_system: 'State system',
  manual: 'Entered by hand',
  legal_limits: 'Legal limits',
  not_required: 'Buys for patient',
};

function Tile({ entry, now, onRemove }: { entry: QueueEntry; now: number; onRemove(entry: QueueEntry): void }) {
  return (
    <div className={`queue-tile queue-checked-in queue-type-${entry.checkedInAs}`}>
      <button type="button" className="queue-open" onClick={() => openAtRegister(entry)} aria-label={`Open ${entry.displayName}'s ticket at the Register`}>
        <QueuePhoto documentId={entry.photoDocumentId} initials={entry.initials} />
        <span className="queue-main">
          <span className="queue-name">
            {entry.displayName}
            {entry.checkedInAs === 'caregiver' || entry.forSelf ? <span className="queue-cg">CG</span> : null}
          </span>
          <span className="queue-meta">
            {entry.forPatient ? (
              <>
                Caregiver for <strong className="queue-for">{entry.forPatient}</strong>
              </>
            ) : entry.forSelf ? (
              `Caregiver for themselves (${TYPE_LABELS[entry.checkedInAs].toLowerCase()})`
            ) : (
              TYPE_LABELS[entry.checkedInAs]
            )}{' '}
            · <span className="queue-source">{SOURCE_LABEL[entry.allotmentSource]}</span>
          </span>
          {entry.allotments.length > 0 ? (
            <span className="queue-allotments">
              {entry.allotments.map((allotment) => (
                <span key={allotment.limitId} className="queue-allotment">
                  {allotment.label}: <strong>{formatAllotment(allotment.amount, allotment.unit)}</strong>
                </span>
              ))}
            </span>
          ) : null}
          {entry.servedBy ? (
            <span className="queue-served" data-testid="queue-served-by">
              Being served at <strong>{entry.servedBy}</strong>
            </span>
          ) : null}
          {entry.warnings.length > 0 ? <span className="queue-warning">⚠ {entry.warnings.join(' · ')}</span> : null}
        </span>
        <span className="queue-wait" title="Waiting since check-in">
          {formatWait(now - entry.checkedInAt)}
        </span>
      </button>
      <button type="button" className="queue-remove" onClick={() => onRemove(entry)} aria-label={`Remove ${entry.displayName} from the queue`}>
        ✕
      </button>
    </div>
  );
}
