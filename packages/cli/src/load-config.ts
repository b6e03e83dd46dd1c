// Config loading for commands: a bad config is a non-zero exit with the offending paths, never a stack trace.
import { ConfigError, loadConfigFile, type SwitchyardConfig } from '@switchyard/core';

export function loadConfigOrExit(file: string): SwitchyardConfig {
  try {
    const config = loadConfigFile(file);
    if (config.warnings.length) {
      process.stderr.write(`switchyard: unsupported config keys ignored: ${config.warnings.join('; ')}\n`);
    }
    return config;
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : `cannot load ${file}: ${(err as Error).message}`;
    process.stderr.write(`switchyard: invalid config ${file}\n${msg}\n`);
    process.exit(2);
  }
}
