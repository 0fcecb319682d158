/** The reception tablet's page (tablet.html): its own small bundle, served by the register's tablet server. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { TabletApp } from './TabletApp';
import './tablet.css';

const root = document.getElementById('tablet-root');
if (!root) throw new Error('tablet.html has no #tablet-root element');
createRoot(root).render(
  <StrictMode>
    <TabletApp />
  </StrictMode>,
);
