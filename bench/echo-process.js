// The cheapest possible business API, in its own process for the interceptor row: the CPU time
// measured in the calling process is then the client side of a call only.
import { createServer } from 'node:http';

const echo = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end('{"errcode":0,"errmsg":"ok"}');
});
echo.listen(0, '127.0.0.1', () => process.send({ port: echo.address().port }));
process.on('message', (m) => {
  if (m === 'stop') echo.close(() => process.exit(0));
});
