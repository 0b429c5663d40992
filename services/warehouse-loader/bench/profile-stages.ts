import { buildSourceBatch, planLoad, sampleEvents } from '@manifold/warehouse';
const n = 25000;
const mk = () =>
  Array.from({ length: n }, (_, i) =>
    JSON.parse(
      JSON.stringify(
        sampleEvents.track({
          userId: `u${i % 5000}`,
          context: {
            library: { name: 'a', version: '1' },
            ip: '1.2.3.4',
            page: { path: '/c', url: 'https://x/c', title: 'C' },
            userAgent: 'Mozilla/5.0 Chrome',
            locale: 'en-US',
          },
          properties: {
            order_id: `o${i}`,
            revenue: 19.99 + (i % 100),
            currency: 'USD',
            shipping: 4.5,
            tax: 1.2,
            products: [{ product_id: 'p', price: 1, quantity: 1 }],
          },
        }),
      ),
    ),
  );
for (let k = 0; k < 4; k++) {
  const events = mk();
  let t = performance.now();
  const batch = buildSourceBatch(events, { schema: 's', uuidTs: new Date().toISOString(), maxStringLength: 512 });
  const a = performance.now() - t;
  t = performance.now();
  planLoad(batch, undefined);
  console.log('layout', a.toFixed(0), 'plan', (performance.now() - t).toFixed(0));
}
