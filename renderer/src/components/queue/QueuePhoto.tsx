/**
 * A queue tile's picture: the customer's photo (profile photo or captured ID) when there is one
 * the screen can show, their initials otherwise (and while the photo loads, or if it cannot be read).
 * Photos are read once per document and kept for the session: the queue refreshes often.
 */
import { useEffect, useState } from 'react';
import { call } from '../../register';

const loaded = new Map<string, string>();
const failed = new Set<string>();

export function QueuePhoto({ documentId, initials }: { documentId: string | null; initials: string }) {
  const [url, setUrl] = useState<string | null>(documentId ? (loaded.get(documentId) ?? null) : null);

  useEffect(() => {
    if (!documentId || failed.has(documentId)) {
      setUrl(null);
      return;
    }
    const known = loaded.get(documentId);
    if (known) {
      setUrl(known);
      return;
    }
    let current = true;
    void call('customers.document', { id: documentId }).then((result) => {
      if (!result.ok) {
        failed.add(documentId);
        if (current) setUrl(null);
        return;
      }
      const dataUrl = `data:${result.value.mime};base64,${result.value.dataBase64}`;
      loaded.set(documentId, dataUrl);
      if (current) setUrl(dataUrl);
    });
    return () => {
      current = false;
    };
  }, [documentId]);

  return (
    <span className={`queue-photo${url ? ' has-photo' : ''}`} aria-hidden="true" data-testid="queue-photo">
      {url ? (
        <img
          src={url}
          alt=""
          onError={() => {
            if (documentId) failed.add(documentId);
            setUrl(null);
          }}
        />
      ) : (
        initials
      )}
    </span>
  );
}
