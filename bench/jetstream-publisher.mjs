// One connection's share of a publish cell (bench/jetstream-publish.mjs), run in a worker thread of its own so that
// 4 connections are 4 publishers, as 4 service instances would be, not 4 sockets behind one event loop.
// Two clients of the same server:
// - 'request': `js.publish()` of @nats-io/jetstream, what the service's submitPurchase awaits: a request per message
//   with its own timer, the ack parsed and checked by the library;
// - 'async': plain publishes with a Nats-Msg-Id header and a reply subject under one inbox subscription, each ack
//   matched by its reply subject (the shape of Go's PublishAsync): the server's side of the rate with less of the
//   client's own cost per message.
import { parentPort, workerData } from 'node:worker_threads';
import { jetstream } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { purchaseMessages } from './jetstream-publish.mjs';

const ACK_TIMEOUT_MS = 10_000;

/** `count` messages from `first`, at most `inFlight` awaiting their ack, none started after `deadline` (epoch ms). */
async function publishShare({ client, servers, stream, prefix, runId, ids, first, count, inFlight, deadline }) {
  const make = purchaseMessages({ prefix, runId, ids });
  const nc = await connect({ servers, timeout: 5000 });
  const latencies = new Float64Array(count);
  const r = { published: 0, acked: 0, duplicates: 0, failures: 0, firstFailure: null };
  const fail = (why) => {
    r.failures++;
    r.firstFailure ??= why;
  };
  const take = (ack, t0) => {
    if (ack.error) return fail(`${ack.error.code ?? ''} ${ack.error.description ?? JSON.stringify(ack.error)}`);
    if (ack.stream !== stream) return fail(`acknowledged by stream ${ack.stream}`);
    latencies[r.acked++] = performance.now() - t0;
    if (ack.duplicate) r.duplicates++;
  };
  try {
    if (client === 'request') {
      const js = jetstream(nc);
      const publisher = async () => {
        while (r.published < count && Date.now() < deadline) {
          const m = make(first + r.published++);
          const t0 = performance.now();
          await js.publish(m.subject, m.payload, { msgID: m.msgID, timeout: ACK_TIMEOUT_MS })
            .then((ack) => take(ack, t0), (error) => fail(error?.message ?? String(error)));
        }
      };
      await Promise.all(Array.from({ length: inFlight }, publisher));
    } else {
      const inbox = `_INBOX.${nc.info?.client_id ?? 0}.${Math.random().toString(36).slice(2)}`;
      const sentAt = new Float64Array(count);
      let pending = 0;
      let finish;
      const finished = new Promise((resolve) => (finish = resolve));
      const send = () => {
        if (r.published >= count || Date.now() >= deadline) return pending === 0 && finish();
        const n = r.published++;
        const m = make(first + n);
        const h = headers();
        h.set('Nats-Msg-Id', m.msgID);
        sentAt[n] = performance.now();
        pending++;
        nc.publish(m.subject, m.payload, { headers: h, reply: `${inbox}.${n}` });
      };
      nc.subscribe(`${inbox}.*`, {
        callback: (error, msg) => {
          pending--;
          if (error) fail(error.message);
          else take(msg.json(), sentAt[Number(msg.subject.slice(inbox.length + 1))]);
          send();
        },
      });
      for (let i = 0; i < inFlight; i++) send();
      const timedOut = await Promise.race([finished.then(() => false),
        new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()) + ACK_TIMEOUT_MS, true).unref())]);
      if (timedOut) for (; pending > 0; pending--) fail(`no ack within ${ACK_TIMEOUT_MS} ms`);
    }
  } finally {
    await nc.close().catch(() => undefined);
  }
  return { ...r, latencies: latencies.subarray(0, r.acked) };
}

const { latencies, ...rest } = await publishShare(workerData);
parentPort.postMessage({ ...rest, first: workerData.first, latencies }, [latencies.buffer]);
