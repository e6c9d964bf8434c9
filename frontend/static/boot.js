// Loads the wasm module; a separate file (not an inline script) so a strict CSP can allow it.
import init from "/atende.js";

init({ module_or_path: "/atende_bg.wasm" }).catch((err) => {
  console.error(err);
  const boot = document.getElementById("boot");
  if (boot) boot.textContent = "Não foi possível carregar o Atende. / Atende failed to load.";
});
