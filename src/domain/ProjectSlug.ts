/** Claude Code's folder name for a cwd under `<CLAUDE_CONFIG_DIR>/projects/`: every non-alphanumeric becomes `-`. */
export const projectSlug = (cwd: string): string => cwd.replace(/[^A-Za-z0-9]/g, "-")
