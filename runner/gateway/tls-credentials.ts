/**
 * TLS for the gateway: certificate + key files, or `tls: auto`, which makes a local CA and a certificate
 * for localhost / 127.0.0.1 / ::1 (plus the configured hosts) under `<stateDir>/tls/` with the `openssl`
 * CLI (node:crypto cannot issue X.509). Files are reused on later starts while they exist.
 *
 * Trust the CA once to get no browser warnings:  `curl --cacert .micro-dev/tls/ca.crt https://localhost:8080/`
 * (Linux: copy ca.crt to /usr/local/share/ca-certificates/micro-dev.crt && sudo update-ca-certificates;
 *  macOS: sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ca.crt).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MicroDevError } from '../errors/micro-dev-error.ts';

const run = promisify(execFile);

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  /** The CA to trust when the certificate was made by `tls: auto`. */
  caFile?: string;
}

export interface TlsSettings {
  cert?: string;
  key?: string;
  auto?: boolean;
  /** ACME is not supported offline: any value makes startGateway fail with a clear error. */
  acme?: unknown;
}

function readOrThrow(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new MicroDevError('CONFIG_INVALID', `gateway TLS ${what} file ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

/** Loads or creates credentials; undefined when TLS is off. `stateDir` is where `auto` writes (.micro-dev). */
export async function loadTlsCredentials(
  tls: TlsSettings | undefined,
  options: { stateDir: string; hosts?: readonly string[]; openssl?: string },
): Promise<TlsCredentials | undefined> {
  if (!tls) return undefined;
  if (tls.acme !== undefined) {
    throw new MicroDevError('CONFIG_INVALID', 'gateway ACME: no ACME directory is reachable from a local development gateway (it needs public DNS and port 443)', {
      hints: ['use `tls: { auto: true }` for a local CA and a localhost certificate, or `tls: { cert, key }` with your own files'],
    });
  }
  if (tls.cert || tls.key) {
    if (!tls.cert || !tls.key) {
      throw new MicroDevError('CONFIG_INVALID', 'gateway TLS certificate and key files not specified: both `tls.cert` and `tls.key` are required');
    }
    return { cert: readOrThrow(tls.cert, 'certificate'), key: readOrThrow(tls.key, 'key') };
  }
  if (!tls.auto) return undefined;
  return ensureLocalCertificate(join(options.stateDir, 'tls'), options.hosts ?? [], options.openssl ?? 'openssl');
}

async function openssl(bin: string, args: string[], cwd: string): Promise<void> {
  try {
    await run(bin, args, { cwd, timeout: 30_000 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new MicroDevError('START_FAILED', `gateway tls: auto needs the openssl command, which was not found on PATH (${bin})`, {
        hints: ['install openssl (apt-get install openssl / brew install openssl), or set tls.cert and tls.key'],
        cause: e,
      });
    }
    throw new MicroDevError('START_FAILED', `openssl ${args[0]} failed: ${(err.stderr ?? err.message).trim()}`, { cause: e });
  }
}

export async function ensureLocalCertificate(dir: string, hosts: readonly string[], bin = 'openssl'): Promise<TlsCredentials> {
  const caKey = join(dir, 'ca.key');
  const caCrt = join(dir, 'ca.crt');
  const key = join(dir, 'localhost.key');
  const crt = join(dir, 'localhost.crt');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(caKey) || !existsSync(caCrt)) {
    await openssl(bin, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCrt, '-days', '825', '-subj', '/CN=micro-dev local CA'], dir);
  }
  if (!existsSync(key) || !existsSync(crt)) {
    const csr = join(dir, 'localhost.csr');
    const ext = join(dir, 'localhost.ext');
    const dns = ['localhost', ...hosts.filter((h) => /^[a-z0-9.*-]+$/i.test(h))];
    const san = [...new Set(dns)].map((d) => `DNS:${d}`).concat(['IP:127.0.0.1', 'IP:::1']).join(',');
    writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
    await openssl(bin, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=localhost'], dir);
    await openssl(bin, ['x509', '-req', '-in', csr, '-CA', caCrt, '-CAkey', caKey, '-CAcreateserial', '-out', crt, '-days', '825', '-extfile', ext], dir);
  }
  return { cert: readFileSync(crt), key: readFileSync(key), caFile: caCrt };
}
