// The dashboard's entry (bundled by scripts/build.mjs into dist/web/app.js, served by the daemon at GET /).

import { render } from "preact"
import { App } from "./App.js"

render(<App />, document.getElementById("app")!)
