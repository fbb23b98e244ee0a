import { Effect } from "effect"
import type { Frontmatter } from "../domain/Frontmatter.js"
import { type Decision, decide, fallbackProvider, type RouterSettings } from "../domain/Route.js"
import type { Settings } from "../domain/Settings.js"
import { AppConfig } from "./AppConfig.js"

/** Router settings from configuration: delegation is on exactly when a secutools API key is set. */
export const routerSettingsOf = (settings: Settings): RouterSettings => ({
  delegationEnabled: settings.delegation.apiKey !== undefined,
  providers: settings.delegation.providers,
  complexity: settings.delegation.complexity,
})

/** Routes tasks with the configured settings (DESIGN.md "Routing"). */
export class Router extends Effect.Service<Router>()("ccl/Router", {
  effect: Effect.map(AppConfig, (config) => {
    const settings = routerSettingsOf(config)
    return {
      settings,
      decide: (fm: Frontmatter): Decision => decide(fm, settings),
      /** Where a task may go while every account is spent; undefined: it waits (README "Fallback"). */
      fallback: (fm: Frontmatter): string | undefined =>
        config.delegation.fallbackOnExhausted
          ? fallbackProvider(fm, settings, config.delegation.fallbackProvider)
          : undefined,
    }
  }),
}) {}
