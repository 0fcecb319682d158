import type { ReactNode } from 'react';

export interface PlaceholderProps {
  title: string;
  /** Says plainly which later work fills this screen. */
  comingWith: string;
  children?: ReactNode;
}

export function Placeholder({ title, comingWith, children }: PlaceholderProps) {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <p className="placeholder-note">
        {title}: {comingWith}
      </p>
      {children}
    </section>
  );
}
