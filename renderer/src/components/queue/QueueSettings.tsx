/** Settings › Queue: managers choose whether the queue shows a Clear Queue (trash) button. */
import { useEffect, useState } from 'react';
import { call } from '../../register';
import { newCommandId } from './commandId';

export function QueueSettings() {
  const [show, setShow] = useState<boolean | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    void call('queue.list', {}).then((result) => {
      if (result.ok) setShow(result.value.showClearButton);
      else setMessage({ ok: false, text: result.error.message });
    });
  }, []);

  const toggle = async (next: boolean) => {
    setShow(next);
    const result = await call('queue.settings.save', { commandId: newCommandId(), showClearButton: next });
    if (result.ok) {
      setShow(result.value.showClearButton);
      setMessage({ ok: true, text: 'Saved.' });
    } else {
      setShow(!next);
      setMessage({ ok: false, text: result.error.message });
    }
  };

  return (
    <section className="panel" aria-labelledby="queue-settings-title">
      <h2 id="queue-settings-title">Queue</h2>
      <label className="queue-setting">
        <input type="checkbox" checked={show ?? false} disabled={show === null} onChange={(event) => void toggle(event.target.checked)} />
        Show Clear Queue button at Intake
      </label>
      {message ? (
        <p className={message.ok ? 'ok' : 'error'} role="status">
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
