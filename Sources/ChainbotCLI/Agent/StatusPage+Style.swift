extension StatusPage {
    /// The pages' CSS: light and dark, no external assets (no fonts, no images).
    static let style = """
        :root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #6e7781;
          --line: #d0d7de; --add: #1a7f3722; --del: #cf222e22; }
        body { font: 14px/1.45 system-ui, sans-serif; margin: 0; padding: 1.5rem; max-width: 72rem; }
        header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
        h1 { font-size: 1.4rem; margin: 0; } h1 a { color: inherit; text-decoration: none; }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
        a { color: #0969da; } a[aria-current] { font-weight: 600; color: inherit; text-decoration: none; }
        .summary { font-size: 1.1rem; font-weight: 600; }
        .summary.healthy { color: var(--ok); } .summary.degraded { color: var(--warn); } .summary.unhealthy { color: var(--bad); }
        .meta, footer { color: var(--muted); } footer { margin-top: 2rem; font-size: .85rem; }
        .cards { display: flex; gap: .75rem; margin: 1rem 0; flex-wrap: wrap; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: .6rem 1rem; min-width: 8rem; }
        .card b { display: block; font-size: 1.5rem; }
        section.condition { border-left: 4px solid var(--muted); padding: .1rem .9rem; margin: .6rem 0; }
        section.condition h2 { margin: .4rem 0 .2rem; font-size: 1rem; }
        section.failing { border-color: var(--bad); } section.warning { border-color: var(--warn); }
        section.condition p { margin: .2rem 0 .5rem; }
        nav.filters { display: flex; gap: .9rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
        nav.filters form { margin-left: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; color: var(--muted); }
        .pill { border-radius: 999px; padding: .05rem .55rem; font-size: .85rem; border: 1px solid currentColor; }
        .synced, .healthy, .succeeded, .true { color: var(--ok); }
        .outofsync, .progressing, .degraded, .partial, .skipped, .pending { color: var(--warn); }
        .missing, .unknown, .failed, .interrupted, .false { color: var(--bad); }
        .why { color: var(--muted); } .held { color: var(--muted); font-style: italic; }
        pre { overflow-x: auto; } pre.problem { background: #fff8c5; color: #3b2300; padding: .75rem; }
        pre.diff { border: 1px solid var(--line); padding: .5rem 0; }
        pre.diff span { display: block; padding: 0 .75rem; } pre.diff .add { background: var(--add); }
        pre.diff .del { background: var(--del); } pre.diff .hunk { color: var(--muted); }
        ul.events { list-style: none; padding: 0; } ul.events li { padding: .25rem 0; border-bottom: 1px dashed var(--line); }
        ul.events li.warning b { color: var(--bad); } time { color: var(--muted); font-variant-numeric: tabular-nums; }
        details { margin: .3rem 0; } summary { cursor: pointer; }
        """
}
