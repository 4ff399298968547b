// Serves the web UI's three files from web/; a fixed list, so no path from the request reaches the disk.
import { readFile } from 'node:fs/promises';

const WEB = new URL('../../web/', import.meta.url);

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

export async function staticFile(pathname: string): Promise<{ body: Buffer; type: string } | null> {
  const entry = FILES[pathname];
  if (!entry) return null;
  return { body: await readFile(new URL(entry.file, WEB)), type: entry.type };
}
