import { loadavg } from 'node:os';
import { initBackend } from './src/experiments/backend.ts';
import { mlp, mlpSchema } from './src/experiments/mlp.ts';
const { tf, backend } = await initBackend('wasm');
const params = mlpSchema.parse({ optimizer: 'sgd', learningRate: 0.01, epochs: 4, validationSplit: 0, testLimit: 1 });
const out = await mlp.run(params, { tf, backend, dataDir: '/usr/share/datasets/fashion-mnist' });
const s = out.epochs!.map((e) => e.seconds).slice(1).sort();
console.log(process.argv[2], 'median', s[1]!.toFixed(3), 'epochs', out.epochs!.map((e) => e.seconds.toFixed(3)).join(' '), 'load', loadavg()[0]!.toFixed(2), 'loss', out.epochs![3]!.loss.toFixed(5));
