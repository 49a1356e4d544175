// Syntax highlighting with the vendored highlight.js core and three languages.
import hljs from "./vendor/highlight/core.min.js";
import python from "./vendor/highlight/python.min.js";
import sql from "./vendor/highlight/sql.min.js";
import yaml from "./vendor/highlight/yaml.min.js";

hljs.registerLanguage("python", python);
hljs.registerLanguage("sql", sql);
hljs.registerLanguage("yaml", yaml);
const link = document.createElement("link");
link.rel = "stylesheet";
link.href = "/static/vendor/highlight/github.min.css";
document.head.append(link);
document.querySelectorAll("pre code:not(.language-plaintext)").forEach((el) => hljs.highlightElement(el));
