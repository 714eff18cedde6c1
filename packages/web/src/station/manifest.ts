/**
 * The station app's web manifest and the paths it lives at. Read by vite.config.ts (which writes
 * the manifest and the service worker) and by the app (which registers the worker).
 */
export const STATION_SCOPE = '/tram-y-te/';
export const STATION_SW_FILE = 'station-sw.js';
export const STATION_MANIFEST_FILE = 'station.webmanifest';
export const STATION_ICON_FILE = 'station-icon.svg';

export const STATION_MANIFEST = {
  name: 'Trạm y tế xã – OpenHSSK',
  short_name: 'Trạm y tế',
  description: 'Sổ hộ gia đình, hồ sơ sức khỏe cá nhân (QĐ 831) và quản lý bệnh mạn tính tại trạm y tế xã; dùng được khi mất mạng.',
  lang: 'vi',
  id: STATION_SCOPE,
  start_url: STATION_SCOPE,
  scope: STATION_SCOPE,
  display: 'standalone',
  orientation: 'any',
  background_color: '#ffffff',
  theme_color: '#0f5132',
  icons: [
    { src: `/${STATION_ICON_FILE}`, sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    { src: `/${STATION_ICON_FILE}`, sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
  ],
} as const;
