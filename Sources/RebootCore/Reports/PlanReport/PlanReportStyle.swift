/// The report's inline stylesheet: system fonts only, a light and a dark theme (the reader's
/// `prefers-color-scheme`), and print rules (white paper, no cut rows).
enum PlanReportStyle {
    static let css = """
        :root{--bg:#fff;--fg:#1d232b;--muted:#5d6875;--line:#d9dee4;--panel:#f5f7f9;--ok:#2f9e44;--fail:#e03131;--skip:#868e96;\
        --cancel:#495057;--busy:#1c7ed6;--wait:#f59f00;--doubt:#9c36b5;--gate:#0c8599;--pause:#e8590c}
        @media (prefers-color-scheme:dark){:root{--bg:#15191e;--fg:#e6e9ed;--muted:#9aa5b1;--line:#2e353d;--panel:#1d2329;--ok:#51cf66;\
        --fail:#ff6b6b;--skip:#adb5bd;--cancel:#868e96;--busy:#4dabf7;--wait:#fcc419;--doubt:#da77f2;--gate:#3bc9db;--pause:#ff922b}}
        *{box-sizing:border-box}body{margin:24px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
        h1{font-size:22px;margin:0 0 6px}h2{font-size:16px;margin:22px 0 8px}code{font-family:ui-monospace,monospace}
        .state{font-size:13px;padding:2px 8px;border-radius:10px;vertical-align:middle;color:#fff;background:var(--busy)}
        .state.s-succeeded{background:var(--ok)}.state.s-failed{background:var(--fail)}.state.s-cancelled{background:var(--cancel)}
        .reason{margin:4px 0 10px;font-weight:600}.note,footer{color:var(--muted);font-size:12px}footer{margin-top:28px}
        table{border-collapse:collapse}th,td{text-align:left;padding:3px 10px 3px 0;vertical-align:top}
        table.meta th{color:var(--muted);font-weight:500;white-space:nowrap}table.meta td{word-break:break-all}
        table.num td,table.num th{padding-right:18px}table.events{font-size:12px;width:100%}table.events td{border-top:1px solid var(--line)}
        .counts{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:8px}.counts li{background:var(--panel);border-radius:6px;padding:4px 10px}
        .counts li.s-rebooted b{color:var(--ok)}.counts li.s-failed b{color:var(--fail)}.counts li.s-skipped b{color:var(--skip)}
        #numbers{display:flex;gap:48px;flex-wrap:wrap}.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:4px 0}
        .legend i{display:inline-block;width:14px;height:8px;margin-right:4px;border-radius:2px;vertical-align:middle}
        svg.timeline{width:100%;height:auto;background:var(--panel);border-radius:6px}
        svg text{fill:var(--fg);font:11px ui-monospace,monospace}svg .axis text{fill:var(--muted)}svg .grid{stroke:var(--line)}
        .bar.s-rebooted,.k-rebooted{fill:var(--ok);background:var(--ok)}.bar.s-failed,.k-failed{fill:var(--fail);background:var(--fail)}
        .bar.s-skipped,.k-skipped{fill:var(--skip);background:var(--skip)}.bar.s-cancelled{fill:var(--cancel)}
        .bar.s-rebooting,.bar.s-waiting,.bar.s-pending{fill:var(--busy)}
        .mk-conflict,.k-conflict{fill:var(--wait);background:var(--wait);opacity:.85}.mk-in-doubt,.k-in-doubt{fill:var(--doubt);background:var(--doubt);opacity:.85}
        .mk-retry,.mk-resend,.mk-error{stroke:var(--fg);stroke-width:2}.mk-error{stroke:var(--fail)}
        .m{stroke-width:1.5}.m-batch-start{stroke:var(--busy);stroke-dasharray:3 3}.m-paused,.m-resumed,.m-control{stroke:var(--pause)}
        .m-account-paused,.m-halted,.m-cancelled,.m-in-doubt{stroke:var(--fail);stroke-width:2}.m-restarted{stroke:var(--muted)}.m-gate-blocked{fill:var(--fail)}.m-gate-passed{fill:var(--gate)}
        .pausedspan{fill:var(--pause);opacity:.12}.k-batch{background:var(--busy)}.k-gate{background:var(--gate)}.k-pause{background:var(--pause)}
        @media print{:root{--bg:#fff;--fg:#000;--panel:#fff;--line:#ccc;--muted:#444}body{margin:0;font-size:11px}svg.timeline{border:1px solid #ccc}
        section,tr,g.row{break-inside:avoid}}
        """
}
