// Turns VS Code's `dockwise.*` settings into the object `dockwise lsp` reads from
// `initializationOptions`, `workspace/configuration` (section `dockwise`) and
// `workspace/didChangeConfiguration` (server/src/lsp/settings.rs):
//
//   {"select": [...]?, "extendSelect": [...], "ignore": [...], "severity": {"DF020": "warning"}}
//
// Only the shape is handled here; whether a selector names a rule is the server's call.

/** The slice of `vscode.WorkspaceConfiguration` used here (keeps this file testable). */
export interface ConfigReader {
  get<T>(section: string): T | undefined;
}

export interface ServerSettings {
  select?: string[];
  extendSelect: string[];
  ignore: string[];
  severity: Record<string, string>;
}

// The server rejects the whole object when one value has the wrong type, so a stray number
// in a hand-edited settings.json would silently drop every other setting; keep strings only.
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function serverSettings(config: ConfigReader): ServerSettings {
  const settings: ServerSettings = {
    extendSelect: strings(config.get('extendSelect')),
    ignore: strings(config.get('ignore')),
    severity: {},
  };
  // `select` replaces the selection of the project's dockwise.toml, so it is sent only when
  // the user set it; an absent key keeps the file's selection.
  const select = config.get<unknown>('select');
  if (Array.isArray(select)) {
    settings.select = strings(select);
  }
  const severity = config.get<unknown>('severity');
  if (severity && typeof severity === 'object' && !Array.isArray(severity)) {
    for (const [selector, level] of Object.entries(severity)) {
      if (typeof level === 'string') {
        settings.severity[selector] = level;
      }
    }
  }
  // CP001 is the compose schema check. People who also run a YAML extension that validates
  // compose files against a schema can drop ours instead of seeing each error twice.
  if (config.get<boolean>('compose.schemaValidation') === false && !settings.ignore.includes('CP001')) {
    settings.ignore.push('CP001');
  }
  return settings;
}
