import { fileURLToPath } from "node:url";

// The suite's folder holds node_modules (and the repository root has another lockfile).
const suite = fileURLToPath(new URL("../..", import.meta.url));

export default {
  turbopack: { root: suite },
  outputFileTracingRoot: suite,
};
