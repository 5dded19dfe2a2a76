import { useState } from 'react';

/**
 * Copies `text` to the clipboard and says so in a live region. Falls back to selecting a hidden field
 * when the Clipboard API is unavailable (plain http on a non-loopback host).
 */
export function CopyButton({ text, label, copied }: { text: string; label: string; copied: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
  };
  return (
    <>
      <button type="button" className="secondary" onClick={copy}>
        {label}
      </button>
      <span role="status" className="muted">
        {done ? ` ${copied}` : ''}
      </span>
    </>
  );
}
