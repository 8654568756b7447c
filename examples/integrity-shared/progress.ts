/** The main thread's view of the progress Values: a bar on a terminal, plain lines otherwise. */
import { Presets, SingleBar } from 'cli-progress';
import type { Value } from 'tandem';

/** Shows `checked` out of `found` every `everyMs` until stop(), which shows the final count. */
export function showProgress(found: Value<'int32'>, checked: Value<'int32'>, everyMs = 200): { stop(): void } {
  if (process.stdout.isTTY) {
    const bar = new SingleBar({ format: 'checking [{bar}] {value}/{total} files' }, Presets.shades_classic);
    bar.start(0, 0);
    const draw = () => {
      bar.setTotal(found.value);
      bar.update(checked.value);
    };
    const timer = setInterval(draw, everyMs);
    return {
      stop() {
        clearInterval(timer);
        draw();
        bar.stop();
      },
    };
  }
  let shown = -1;
  const print = () => {
    if (checked.value === shown) return;
    shown = checked.value;
    console.log(`checked ${shown}/${found.value} files`);
  };
  const timer = setInterval(print, everyMs);
  return {
    stop() {
      clearInterval(timer);
      print();
    },
  };
}
