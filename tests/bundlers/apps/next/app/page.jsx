// A server component: imports attrkit while Next renders on the server (Node, no window), which
// must do nothing and throw nothing. The write happens in the client component.
import { createClient } from "attrkit";

import Writer from "./writer";

export default function Page() {
  return (
    <main>
      <p id="ssr">server import: {typeof createClient}</p>
      <Writer />
    </main>
  );
}
