/**
 * Settings > Rewards (managers): the earn and redeem rules (settings key rewards.rules) and the
 * status and location tag lists profiles choose from.
 */
import { useCallback, useEffect, useState } from 'react';
import { ulid } from 'ulid';
import type { CallResponse } from '../../../../preload/api';
import { getClient } from '../../client';
import { call } from '../../register';
import { dollars } from './RewardsPanel';
import '../../styles/rewards.css';

type Config = CallResponse<'rewards.config'>;
type Rules = Config['rules'];
type Tag = Config['tags'][number];

const numberFields: Array<{ key: Exclude<keyof Rules, 'enabled'>; label: string; help: string }> = [
  { key: 'earnPointsPerDollar', label: 'Points earned per dollar', help: 'On the sale after discounts, before tax.' },
  { key: 'redeemCentsPerPoint', label: 'Cents one point is worth', help: 'When redeemed at checkout.' },
  { key: 'minRedeemPoints', label: 'Fewest points that can be redeemed', help: 'A customer needs at least this many.' },
  { key: 'redeemStepPoints', label: 'Redeem in steps of (points)', help: 'e.g. 10: 100, 110, 120…' },
  { key: 'maxRedeemPercent', label: 'Most of a sale points can pay (%)', help: '1 to 100.' },
];

export function RewardsSettings() {
  const [config, setConfig] = useState<Config | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [enabled, setEnabled] = useState(true);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(async () => {
    const result = await call('rewards.config', {});
    if (!result.ok) return setMessage({ ok: false, text: result.error.message });
    setConfig(result.value);
    setEnabled(result.value.rules.enabled);
    setDraft(Object.fromEntries(numberFields.map((field) => [field.key, String(result.value.rules[field.key])])));
  }, []);

  useEffect(() => {
    void load();
    return getClient().on('rewards.changed', (event) => {
      if (event.customerId === null) void call('rewards.config', {}).then((result) => result.ok && setConfig(result.value));
    });
  }, [load]);

  const save = async () => {
    const rules = { enabled, ...Object.fromEntries(numberFields.map((field) => [field.key, Number(draft[field.key])])) } as Rules;
    const bad = numberFields.find((field) => !/^\d+$/.test((draft[field.key] ?? '').trim()));
    if (bad) return setMessage({ ok: false, text: `${bad.label}: enter a whole number.` });
    const result = await call('rewards.saveRules', { commandId: ulid(), rules });
    setMessage(result.ok ? { ok: true, text: 'Rewards rules saved.' } : { ok: false, text: result.error.message });
    if (result.ok) void load();
  };

  const r = config?.rules;
  return (
    <section className="panel rw-settings" aria-labelledby="rw-settings-title">
      <h2 id="rw-settings-title">Rewards</h2>
      {!config && !message ? <p className="muted">Loading…</p> : null}
      {config ? (
        <>
          <form
            className="rw-rules"
            aria-label="Rewards rules"
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <label className="rw-check">
              <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} /> Customers earn and redeem points
            </label>
            <div className="rw-rule-grid">
              {numberFields.map((field) => (
                <div key={field.key} className="rw-rule">
                  <label htmlFor={`rw-rule-${field.key}`}>{field.label}</label>
                  <input
                    id={`rw-rule-${field.key}`}
                    inputMode="numeric"
                    value={draft[field.key] ?? ''}
                    onChange={(event) => setDraft({ ...draft, [field.key]: event.target.value })}
                  />
                  <span className="muted rw-small">{field.help}</span>
                </div>
              ))}
            </div>
            {r ? (
              <p className="muted" data-testid="rewards-rules-summary">
                Now: {r.earnPointsPerDollar} point{r.earnPointsPerDollar === 1 ? '' : 's'} per dollar; {r.minRedeemPoints} points = {dollars(r.minRedeemPoints * r.redeemCentsPerPoint)} off,
                in steps of {r.redeemStepPoints}, up to {r.maxRedeemPercent}% of a sale{r.enabled ? '' : ' (switched off)'}.
              </p>
            ) : null}
            <button type="submit" className="primary">
              Save rewards rules
            </button>
          </form>
          {message ? (
            <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          ) : null}
          <div className="rw-tag-lists">
            <TagList kind="status" title="Status tags" tags={config.tags.filter((tag) => tag.kind === 'status')} onChanged={load} />
            <TagList kind="location" title="Location tags" tags={config.tags.filter((tag) => tag.kind === 'location')} onChanged={load} />
          </div>
        </>
      ) : null}
    </section>
  );
}

function TagList({ kind, title, tags, onChanged }: { kind: Tag['kind']; title: string; tags: Tag[]; onChanged: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async () => {
    const result = await call('rewards.saveTag', { commandId: ulid(), kind, name });
    if (!result.ok) return setError(result.error.message);
    setError(null);
    setName('');
    await onChanged();
  };
  const archive = async (tag: Tag) => {
    const result = await call('rewards.archiveTag', { commandId: ulid(), tagId: tag.id });
    if (!result.ok) return setError(result.error.message);
    await onChanged();
  };
  return (
    <div className="rw-tag-list" role="group" aria-label={title}>
      <h3>{title}</h3>
      {tags.length === 0 ? <p className="muted">None yet.</p> : null}
      <ul>
        {tags.map((tag) => (
          <li key={tag.id}>
            <span>{tag.name}</span>
            <button type="button" className="secondary" onClick={() => void archive(tag)} aria-label={`Archive ${tag.name}`}>
              Archive
            </button>
          </li>
        ))}
      </ul>
      <form
        className="rw-add-tag"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label htmlFor={`rw-new-${kind}`}>New {kind} tag</label>
        <input id={`rw-new-${kind}`} value={name} maxLength={40} onChange={(event) => setName(event.target.value)} placeholder={kind === 'status' ? 'e.g. VIP' : 'e.g. North store'} />
        <button type="submit" className="primary">
          Add
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
