import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { STATION_SCOPE, STATION_SW_FILE } from './manifest.ts';
import { StationApp } from './StationApp.tsx';
import '../styles.css';
import './station.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StationApp />
  </StrictMode>,
);

// The worker precaches this app's files so that a reload without a network still opens it. Its
// scope is the station app only: the citizen book and staff portal stay without a worker.
if ('serviceWorker' in navigator) {
  void navigator.serviceWorker.register(`/${STATION_SW_FILE}`, { scope: STATION_SCOPE }).catch(() => {
    // No worker (development server, insecure origin): the app works online, only offline start is lost.
  });
}
