// Config loading for commands: a bad config is a non-zero exit with the offending paths, never a stack trace.
import { ConfigError, loadConfigFile, type SwitchyardConfig } from '@switchyard/core';

export function loadConfigOrExit(file: string): SwitchyardConfig {
  try {
    const config = loadConfigFile(file);
    if (config.warnings.length) {
      // One warning, one line per key: what is not supported, not used, or names nothing in model_list.
      const lines = config.warnings.map((warning) => `  ${warning}`).join('\n');
      process.stderr.write(`switchyard: config keys not applied (${config.warnings.length}):\n${lines}\n`);
    }
    return config;
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : `cannot load ${file}: ${(err as Error).message}`;
    process.stderr.write(`switchyard: invalid config ${file}\n${msg}\n`);
    process.exit(2);
  }
}
