# Plots of docs/benchmarks.md from the driver's .dat files.
# usage: gnuplot -e "dir='bench-out'; img='docs/img'" bench/plots.gp
set terminal pngcairo size 900,520 font ",11"
set key top left
set grid

set output img.'/bench-latency.png'
set title 'Scenario (a): end-to-end latency vs offered rate, one account'
set xlabel 'offered events/s'
set ylabel 'latency, ms (log)'
set logscale xy
plot dir.'/a-gateway.dat' using 1:3 with linespoints title 'gateway p50', \
     dir.'/a-gateway.dat' using 1:5 with linespoints title 'gateway p99', \
     dir.'/a-sdk.dat' using 1:3 with linespoints title 'Node SDK p50', \
     dir.'/a-sdk.dat' using 1:5 with linespoints title 'Node SDK p99', \
     dir.'/a-echo.dat' using 1:5 with linespoints dashtype 2 title 'echo lower bound p99'

set output img.'/bench-memory.png'
set title 'Scenario (b): resident memory with every account connected'
set xlabel 'accounts'
set ylabel 'RSS, MiB (log)'
plot dir.'/b-gateway.dat' using 1:2 with linespoints title 'gateway', \
     dir.'/b-sdk.dat' using 1:2 with linespoints title 'Node SDK bot'
