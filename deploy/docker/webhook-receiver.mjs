// A webhook endpoint on the host for run-images.sh: the workspace's webhook emulator (which
// checks each request as the webhook destination's receivers do), printing the body of every
// accepted delivery as one JSON line. usage: node webhook-receiver.mjs <port>
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { WebhookEmulator } = require('../../libs/emulators/dist/index.js');

class PrintingWebhookEmulator extends WebhookEmulator {
  handle(request) {
    const response = super.handle(request);
    if (response.status < 300) process.stdout.write(`${JSON.stringify(this.deliveries.at(-1).body)}\n`);
    return response;
  }
}

const receiver = await new PrintingWebhookEmulator().start(Number(process.argv[2]), '127.0.0.1');
process.stderr.write(`webhook receiver on ${receiver.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'])
  process.once(signal, () => void receiver.close().then(() => process.exit(0)));
