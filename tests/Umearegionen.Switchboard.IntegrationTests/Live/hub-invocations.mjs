// Invokes hub methods with the npm client the dashboard uses (@microsoft/signalr, from the dashboard's ClientApp)
// against a real listening service, and prints what each invocation gave as JSON: the Error.message as the
// client holds it and the code the dashboard reads from it (errors.js hubError). Run by HubErrorWireTests.
//   SWITCHBOARD_URL       the service, e.g. http://127.0.0.1:41234
//   SWITCHBOARD_CLIENTAPP the dashboard's ClientApp folder (its node_modules holds the client)
//   SWITCHBOARD_WWWROOT   the dashboard (js/errors.js)
//   HUB_INVOCATIONS       JSON [{ name, token, method, args }], invoked in order, one connection per token
//   HUB_INVOCATIONS_FILE  instead of HUB_INVOCATIONS: a file holding that JSON (for large arguments)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const require = createRequire(`${process.env.SWITCHBOARD_CLIENTAPP}/package.json`);
const signalR = require('@microsoft/signalr');
const { hubError } = await import(pathToFileURL(`${process.env.SWITCHBOARD_WWWROOT}/js/errors.js`));

const connections = new Map();
async function connectionFor(token) {
  if (!connections.has(token)) {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${process.env.SWITCHBOARD_URL}/hubs/switchboard`, {
        accessTokenFactory: () => token,
        transport: signalR.HttpTransportType.WebSockets,
        skipNegotiation: true,
      })
      .configureLogging(signalR.LogLevel.Error)
      .build();
    await connection.start();
    connections.set(token, connection);
  }
  return connections.get(token);
}

const results = [];
const invocations = process.env.HUB_INVOCATIONS_FILE
  ? readFileSync(process.env.HUB_INVOCATIONS_FILE, 'utf8')
  : process.env.HUB_INVOCATIONS;
for (const { name, token, method, args } of JSON.parse(invocations)) {
  try {
    const connection = await connectionFor(token);
    await connection.invoke(method, ...args);
    results.push({ name, ok: true });
  } catch (error) {
    results.push({ name, ok: false, isError: error instanceof Error, message: error.message, dashboardCode: hubError(error)?.code ?? null });
    // A connection the server closed is not reused: the next invocation on the token connects again.
    if (connections.get(token)?.state !== signalR.HubConnectionState.Connected) connections.delete(token);
  }
}

for (const connection of connections.values()) await connection.stop();

console.log(JSON.stringify(results));
