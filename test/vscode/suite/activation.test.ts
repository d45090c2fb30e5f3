// Activation stays cheap: the extension is active (the workspace has template.yaml) but the runtime
// host starts only on first use. Runs first (file order), before any suite uses the host.
import * as assert from 'node:assert/strict';
import { workbenchApi } from './util';

suite('activation', () => {
  test('activating does not start the host; the first request does', async () => {
    const api = await workbenchApi();
    assert.equal(api.ctx.host.state.kind, 'stopped');
    assert.match(api.statusBar.item.text, /Lambda/);
    const functions = await api.ctx.functions();
    assert.equal(api.ctx.host.state.kind, 'ready');
    assert.deepEqual(functions.map((f) => f.name).sort(), ['GreetTs', 'HelloJs', 'PyGreet']);
  });
});
