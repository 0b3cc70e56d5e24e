// The floor: one process, ssh2, connect to every host at once and run one command on each.
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';

const [keyFile, ...addresses] = process.argv.slice(2);
const privateKey = readFileSync(keyFile);
await Promise.all(
  addresses.map(
    (host) =>
      new Promise((resolve, reject) => {
        const c = new Client();
        c.on('error', reject);
        c.on('ready', () =>
          c.exec('uptime', (err, ch) => {
            if (err) return reject(err);
            ch.resume();
            ch.stderr.resume();
            ch.on('close', () => (c.end(), resolve()));
          }),
        );
        c.connect({ host, username: 'root', privateKey });
      }),
  ),
);
