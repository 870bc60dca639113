// Drives `hallmark serve` with the official `openai` npm package (ServeNodeClientTest).
// Usage: node openai-node-client.cjs BASE_URL API_KEY MODEL; prints one JSON object with what it saw.
const OpenAI = require('openai');
const [baseURL, apiKey, model] = process.argv.slice(2);

async function main() {
  const out = {};
  const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
  const c = await client.completions.create({ model, prompt: 'And God said', max_tokens: 12, n: 2, seed: 3 });
  out.completion = { choices: c.choices.length, text0: c.choices[0].text, usage: c.usage, object: c.object };

  const chat = await client.chat.completions.create({
    model, messages: [{ role: 'user', content: 'Who made the sea?' }], max_tokens: 16, seed: 9 });
  out.chat = { content: chat.choices[0].message.content, finish: chat.choices[0].finish_reason };

  const stream = await client.chat.completions.create({
    model, messages: [{ role: 'user', content: 'Who made the sea?' }], max_tokens: 16, seed: 9, stream: true });
  let text = '';
  let chunks = 0;
  let finish = null;
  for await (const chunk of stream) {
    chunks++;
    for (const ch of chunk.choices) {
      if (ch.delta && ch.delta.content) text += ch.delta.content;
      if (ch.finish_reason) finish = ch.finish_reason;
    }
  }
  out.stream = { content: text, chunks, finish };

  for (const [name, call] of [
    ['unauthorized', () => new OpenAI({ baseURL, apiKey: 'sk-not-a-key-000', maxRetries: 0 })
      .completions.create({ model, prompt: 'x' })],
    ['bad_max_tokens', () => client.completions.create({ model, prompt: 'x', max_tokens: 0 })],
    ['unknown_model', () => client.completions.create({ model: 'no-such-model', prompt: 'x' })],
  ]) {
    try {
      await call();
      out[name] = { status: 200 };
    } catch (e) {
      out[name] = { status: e.status, code: e.code ?? null, param: e.param ?? null, message: e.message };
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
