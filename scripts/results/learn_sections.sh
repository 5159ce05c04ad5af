# learn_sections.sh — the learning studies' part of results/README.md, sourced
# by scripts/results_readme.sh (its functions: have, pivot, find_, fig, refs).
# Recall@1 is the median of the seeds with their range (min–max).

if have learn_time; then
    printf '\n## Recall@1 against training (`learn_time`, closed protocol)\n\nBy epoch (0: the untrained network):\n\n'
    pivot learn_time -v rows=epoch -v cols=name -v val=recall_at_1 -v where="kind=train" -v fmt=%.3f
    printf '\nTraining CPU time so far (s), by epoch:\n\n'
    pivot learn_time -v rows=epoch -v cols=name -v val=train_cpu_s -v where="kind=train" -v fmt=%.1f
    printf '\nPixel baselines (no training): '; find_ baselines "$D/learn_time.csv"
    printf '\nTraining CPU time to reach a Recall@1 target (median over seeds, s; `-`: not reached by half of them):\n\n'
    { echo "target,name,median_s,seeds,reached,times"
      for t in 0.83 0.84 0.85; do awk -F, -v target=$t -f plots/time_to_target.awk "$D/learn_time.csv" | grep -v "^name," | sed "s/^/$t,/"; done; } | find_ targets
    echo; find_ rank "$D/learn_time.csv"; fig learn_time
fi
if have learn_protocol; then
    printf '\n## Closed against open protocol (`learn_protocol`, with `learn_time`)\n\nLast evaluation; against the PyTorch + PML reference (results/train/reference.csv, rounded to 0.001, so a difference under 0.0005 is none):\n\n'
    files="$D/learn_protocol.csv"; have learn_time && files="$D/learn_time.csv $files"
    find_ vs_ref "$REF" $files
    echo; find_ vs_pixels $files; fig learn_protocol
fi
if have learn_batch; then
    printf '\n## Recall@1 against batch size (`learn_batch`, 2 epochs)\n\nThe paper reports that larger batches help, Proxy-Anchor most robustly.\n\n'
    pivot learn_batch -v rows=M -v cols=name -v val=recall_at_1 -v where="kind=train" -v last=1 -v fmt=%.3f
    echo; find_ trend -v x=M -v expect=rise "$D/learn_batch.csv"; echo; refs learn_batch; fig learn_batch
fi
if have learn_dim; then
    printf '\n## Recall@1 against embedding dimension (`learn_dim`, 2 epochs)\n\nIn the paper Recall@1 rises with D up to about 512, then levels off.\n\n'
    pivot learn_dim -v rows=D -v cols=name -v val=recall_at_1 -v where="kind=train" -v last=1 -v fmt=%.3f
    echo; find_ trend -v x=D -v expect=rise "$D/learn_dim.csv"; echo; refs learn_dim; fig learn_dim
fi
if have learn_alpha_delta; then
    printf '\n## Recall@1 over α × δ (`learn_alpha_delta`, Proxy-Anchor, 2 epochs)\n\nThe paper puts its best cell near its default, α = 32, δ = 0.1, on a broad plateau.\n\n'
    pivot learn_alpha_delta -v rows=alpha -v cols=delta -v val=recall_at_1 -v where="kind=train" -v last=1 -v fmt=%.3f -v label="α \\\\ δ"
    echo; find_ best_cell "$D/learn_alpha_delta.csv"; echo; refs learn_alpha_delta; fig learn_alpha_delta
fi
if have learn_glyph_sample; then
    printf '\n## Recall@1 with sampled proxies (`learn_glyph_sample`, glyph set, validation classes, Proxy-Anchor, 1 epoch)\n\nBy the ratio r of sampled proxies (1: every proxy), the median of the seeds (min–max):\n\n'
    pivot learn_glyph_sample -v rows=proxy_sample -v cols=name -v val=recall_at_1 -v where="kind=train" -v last=1 -v fmt=%.3f -v label=r
    fig learn_glyph_sample
fi
