// The app every bundler builds (webpack, Vite, Parcel, Rollup, esbuild): what the README's npm
// quick start does (../shared/write_plan.js, shared with the Next.js and static apps). The page's
// query names the server (?pk=...&host=...&id=...); the result is shown in #status.
import { createClient } from "attrkit";

import { writePlan } from "../shared/write_plan.js";

writePlan(createClient);
