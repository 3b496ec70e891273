// `npm start`: install what is missing, build native + wasm, then serve the playground.
import { setup } from './setup.mjs';
import { build } from './build.mjs';
import { serveFromEnv } from './serve.mjs';
import { main } from './util.mjs';

main('start', async () => {
  await setup({ build: true });
  await build();
  await serveFromEnv();
});
