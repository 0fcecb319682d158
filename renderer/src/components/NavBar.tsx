import { sections, useNav, type Section } from '../stores/app';

export const sectionTitles: Record<Section, string> = {
  customers: 'Customers',
  queue: 'Queue',
  register: 'Register',
  products: 'Products',
  till: 'Till',
  sync: 'Sync',
  settings: 'Settings',
};

export function NavBar() {
  const section = useNav((state) => state.section);
  const go = useNav((state) => state.go);
  return (
    <nav className="nav" aria-label="Main">
      {sections.map((name) => (
        <button
          key={name}
          type="button"
          className="nav-item"
          aria-current={section === name ? 'page' : undefined}
          onClick={() => go(name)}
        >
          {sectionTitles[name]}
        </button>
      ))}
    </nav>
  );
}
