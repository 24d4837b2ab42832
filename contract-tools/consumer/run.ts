// Runs the consumer flow against a node: `node build/consumer/run.js BASE_URL ADMIN_EMAIL`, with
// the admin's password in ATRIUM_ADMIN_PASSWORD (kept off the command line). Prints one
// `ok <step><TAB><detail>` line per step that passed, `not ok <step>: <why>` and exit code 1 on a failure.
import { consumerFlow } from "./consumer.js";

// The few Node.js globals used here (the project's type-check has no @types/node).
declare const process: { argv: string[]; env: Record<string, string | undefined>; exitCode?: number };

const [baseUrl, adminEmail] = process.argv.slice(2);
const adminPassword = process.env["ATRIUM_ADMIN_PASSWORD"];
if (!baseUrl || !adminEmail || !adminPassword) {
  console.log("usage: ATRIUM_ADMIN_PASSWORD=... node run.js BASE_URL ADMIN_EMAIL");
  process.exitCode = 2;
} else {
  try {
    await consumerFlow({
      baseUrl,
      adminEmail,
      adminPassword,
      passed: (step, detail) => console.log(`ok ${step}\t${detail}`),
    });
  } catch (e) {
    console.log(`not ok ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
