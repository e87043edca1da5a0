/**
 * go.micro.web.greeter (ex:greeter/web/web.go, go-web): a plain HTTP service found through the registry.
 *   GET  /  -> an HTML form
 *   POST /  name=<x> (default World) -> <html><body><h1>Hello x</h1></body></html>  (msg from the srv)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newService } from '../kit/service.ts';
import { MicroError } from '../kit/errors.ts';

const FORM = '<html><body><h1>Enter Name<h1><form method=post><input name=name type=text /></form></body></html>';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
}

async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(FORM);
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? '/', 'http://x');
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  // Go's r.Form: the POST body first, then the query string.
  const name = form.get('name') || url.searchParams.get('name') || 'World';
  try {
    const rsp = await service.client.call<{ msg?: string }>('go.micro.srv.greeter', 'Say.Hello', { name });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<html><body><h1>${escapeHtml(rsp?.msg ?? '')}</h1></body></html>`);
  } catch (e) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(MicroError.from(e).toString() + '\n');
  }
}

const service = newService({
  name: 'go.micro.web.greeter',
  http: (req, res) => void handler(req, res),
});

await service.run();
