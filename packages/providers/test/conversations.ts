// Conversations several provider tests send, written once so each test states only what its provider makes of
// them (the mapping tests, the adapters' and the conformance suite).
type Obj = Record<string, unknown>;

const IMAGE = 'data:image/png;base64,iVBORw0KGgo=';

/** Plain turns: a system rule, a question, its answer, and the question to answer now. */
export function plainConversation(): Obj[] {
  return [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'first answer' },
    { role: 'user', content: 'what is up' },
  ];
}

/** Every message kind once: a system rule, text around an image, an assistant's tool call and its result. */
export function toolConversation(system: 'system' | 'developer'): Obj[] {
  return [
    { role: system, content: 'sys' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'what is ' },
        { type: 'image_url', image_url: { url: IMAGE } },
        { type: 'text', text: 'this?' },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'look', arguments: '{"q":1}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: 'a cat' },
  ];
}
