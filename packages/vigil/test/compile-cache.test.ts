/** The CLI's use of Node's compile cache (src/compile-cache.ts), against stand-ins for node:module. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CompileCacheApi, startCompileCache } from '../src/compile-cache.js';

const compileCacheStatus = { FAILED: 0, ENABLED: 1, ALREADY_ENABLED: 2, DISABLED: 3 };

function nodeWith(status: number, directory?: string): CompileCacheApi & { calls: number } {
  const api = {
    calls: 0,
    constants: { compileCacheStatus },
    enableCompileCache() {
      api.calls++;
      return directory === undefined ? { status } : { status, directory };
    },
  };
  return api;
}

describe('startCompileCache', () => {
  it('turns the cache on and hands its directory to worker threads through NODE_COMPILE_CACHE', () => {
    const env: NodeJS.ProcessEnv = {};
    const api = nodeWith(compileCacheStatus.ENABLED, '/tmp/cache-dir');
    assert.equal(startCompileCache(api, env), '/tmp/cache-dir');
    assert.equal(api.calls, 1);
    assert.equal(env.NODE_COMPILE_CACHE, '/tmp/cache-dir');
  });

  it('keeps a cache that NODE_COMPILE_CACHE already turned on', () => {
    const env: NodeJS.ProcessEnv = { NODE_COMPILE_CACHE: '/mine' };
    assert.equal(startCompileCache(nodeWith(compileCacheStatus.ALREADY_ENABLED, '/mine'), env), '/mine');
    assert.equal(env.NODE_COMPILE_CACHE, '/mine');
  });

  it('leaves the environment alone when Node refuses (disabled by the user, or no writable directory)', () => {
    for (const status of [compileCacheStatus.DISABLED, compileCacheStatus.FAILED]) {
      const env: NodeJS.ProcessEnv = {};
      assert.equal(startCompileCache(nodeWith(status), env), undefined);
      assert.deepEqual(env, {});
    }
  });

  it('does nothing on a Node without the function (Node 20)', () => {
    const env: NodeJS.ProcessEnv = {};
    assert.equal(startCompileCache({}, env), undefined);
    assert.deepEqual(env, {});
  });
});
