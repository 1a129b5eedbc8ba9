// Serves the browser build of neffos.js (an ES module) at /neffos.js, straight from node_modules,
// so the page needs no bundler: `import * as neffos from '/neffos.js'`.
import { Controller, Get, Header, StreamableFile } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';

const NEFFOS_JS = createRequire(import.meta.url).resolve('neffos.js'); // …/neffos.js/dist/neffos.js

@Controller()
export class NeffosClientController {
  @Get('neffos.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  script(): StreamableFile {
    return new StreamableFile(createReadStream(NEFFOS_JS));
  }

  /** The file ends with `//# sourceMappingURL=neffos.js.map`; devtools ask for it. */
  @Get('neffos.js.map')
  @Header('Content-Type', 'application/json; charset=utf-8')
  sourceMap(): StreamableFile {
    return new StreamableFile(createReadStream(`${NEFFOS_JS}.map`));
  }
}
