/**
 * The `micro web` index: an HTML page listing the web services of the namespace, each linked to
 * `/<alias>/` (the alias is the name without the namespace prefix).
 */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] ?? c);
}

export function webAliases(namespace: string, services: readonly string[]): string[] {
  const prefix = namespace.trim() === '' ? '' : namespace.endsWith('.') || namespace.endsWith('-') ? namespace : `${namespace}.`;
  return services.filter((s) => s.startsWith(prefix) && s.length > prefix.length).map((s) => s.slice(prefix.length)).sort();
}

export function indexPage(namespace: string, services: readonly string[]): string {
  const aliases = webAliases(namespace, services);
  const items = aliases.length === 0
    ? '<li>no web services registered</li>'
    : aliases.map((a) => `<li><a href="/${encodeURIComponent(a)}/">${escapeHtml(a)}</a></li>`).join('');
  return `<!doctype html><html><head><title>Micro Web</title></head><body><h1>Web services</h1><ul>${items}</ul></body></html>`;
}
