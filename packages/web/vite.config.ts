import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    target: 'es2020',
    // Two single-page apps: the citizen book (/) and the staff portal (/nhan-vien/).
    rollupOptions: { input: { book: 'index.html', staff: 'staff.html' } },
  },
  server: { proxy: { '/api': 'http://localhost:8080', '/auth': 'http://localhost:8080', '/idp': 'http://localhost:8080' } },
});
