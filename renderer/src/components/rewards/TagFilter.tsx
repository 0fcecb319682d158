/** The customer search's tag filter: any status or location tag from the manager's lists. */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../../../preload/api';
import { getClient } from '../../client';
import { call } from '../../register';
import '../../styles/rewards.css';

type Tag = CallResponse<'rewards.config'>['tags'][number];

export function TagFilter({ value, onChange }: { value: string | null; onChange: (tagId: string | null) => void }) {
  const [tags, setTags] = useState<Tag[]>([]);
  useEffect(() => {
    const load = () => void call('rewards.config', {}).then((result) => result.ok && setTags(result.value.tags));
    load();
    return getClient().on('rewards.changed', (event) => event.customerId === null && load());
  }, []);
  return (
    <div className="cu-field rw-tag-filter">
      <label htmlFor="cu-search-tag">Tag</label>
      <select id="cu-search-tag" value={value ?? ''} onChange={(event) => onChange(event.target.value === '' ? null : event.target.value)}>
        <option value="">Any tag</option>
        {(['status', 'location'] as const).map((kind) => (
          <optgroup key={kind} label={kind === 'status' ? 'Status' : 'Location'}>
            {tags
              .filter((tag) => tag.kind === kind)
              .map((tag) => (
                <option key={tag.id} value={tag.id}>
                  {tag.name}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}
