package io.github.reqcount.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Three network namespaces ("nodes") on a bridge of their own, in 10.99.77.0/24: the host is 10.99.77.1, node i
 * is 10.99.77.(10+i). Faults are iptables DROP rules inside the namespaces between the nodes' addresses only, so
 * the host (the clients and the observer) always reaches every node. Nothing here touches any other address.
 */
final class Network {

    static final int NODES = 3;
    private static final String PREFIX = "10.99.77.";
    private static final String BRIDGE = "rqnbr0";
    private static final Path NETNS_ETC = Path.of("/etc/netns");
    // The host's FORWARD chain sees bridged traffic (br_netfilter, as Docker loads it) and may drop it by policy.
    private static final String[] FORWARD_RULE =
            {"FORWARD", "-i", BRIDGE, "-o", BRIDGE, "-m", "comment", "--comment", "reqcount-nemesis", "-j", "ACCEPT"};

    private Network() {
    }

    static String namespace(int node) {
        return "rqn" + node;
    }

    static String ip(int node) {
        return PREFIX + (10 + node);
    }

    /** The name of the node's Redis, where the nodes go by names (useNameServer). */
    static String redisName(int node) {
        return "redis-" + node;
    }

    static String sentinelName(int node) {
        return "sentinel-" + node;
    }

    /** The node an address (or a name) belongs to, or 0. */
    static int nodeOf(String address) {
        for (int node = 1; node <= NODES; node++) {
            if (ip(node).equals(address) || redisName(node).equals(address)) {
                return node;
            }
        }
        return 0;
    }

    /** Removes what a previous run left, then makes the bridge and the three namespaces. */
    static void up() {
        down();
        Shell.run("ip", "link", "add", BRIDGE, "type", "bridge");
        Shell.run("ip", "addr", "add", PREFIX + "1/24", "dev", BRIDGE);
        Shell.run("ip", "link", "set", BRIDGE, "up");
        List<String> rule = new ArrayList<>(List.of("iptables", "-w", "-I"));
        rule.addAll(List.of(FORWARD_RULE));
        Shell.run(rule.toArray(String[]::new));
        for (int node = 1; node <= NODES; node++) {
            String ns = namespace(node);
            Shell.run("ip", "netns", "add", ns);
            Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
            plug(node);
        }
    }

    /** Connects the node to the bridge, at its address. */
    static void plug(int node) {
        String ns = namespace(node), veth = "rqnv" + node;
        Shell.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Shell.run("ip", "link", "set", veth, "master", BRIDGE, "up");
        Shell.run("ip", "-n", ns, "addr", "add", ip(node) + "/24", "dev", "eth0");
        Shell.run("ip", "-n", ns, "link", "set", "eth0", "up");
    }

    /**
     * Takes the node off the bridge, as a Swarm task's address leaves the overlay when the task stops: packets to
     * it go nowhere, and nothing answers them (no reset).
     */
    static void unplug(int node) {
        Shell.run("ip", "link", "del", "rqnv" + node);
    }

    /**
     * Names for the nodes' processes, as Docker gives a stack's tasks: each namespace resolves through the name
     * server on the bridge's host address (nameServer()), as a task does through Docker's embedded DNS, and keeps
     * the host's /etc/hosts. `ip netns exec` mounts these files over /etc's for what it starts.
     */
    static void useNameServer() {
        try {
            for (int node = 1; node <= NODES; node++) {
                Path dir = Files.createDirectories(NETNS_ETC.resolve(namespace(node)));
                Files.writeString(dir.resolve("resolv.conf"), "nameserver " + nameServer() + "\noptions ndots:0\n");
                Files.copy(Path.of("/etc/hosts"), dir.resolve("hosts"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The address the nodes' name server listens on: the host's side of the bridge. */
    static String nameServer() {
        return PREFIX + "1";
    }

    /** Kills every process left in the namespaces, deletes them, the bridge and the FORWARD rule. Safe to repeat. */
    static void down() {
        for (int node = 1; node <= NODES; node++) {
            String ns = namespace(node);
            Shell.Result pids = Shell.exec(Map.of(), List.of("ip", "netns", "pids", ns));
            if (pids.exitCode() == 0) {
                for (String pid : pids.output().trim().split("\\s+")) {
                    if (pid.matches("\\d+")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                Shell.exec(Map.of(), List.of("ip", "netns", "del", ns));
            }
            Shell.exec(Map.of(), List.of("ip", "link", "del", "rqnv" + node));
            Path etc = NETNS_ETC.resolve(ns);
            for (String file : new String[] {"resolv.conf", "hosts"}) {
                etc.resolve(file).toFile().delete();
            }
            etc.toFile().delete();
        }
        Shell.exec(Map.of(), List.of("ip", "link", "del", BRIDGE));
        List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-D"));
        delete.addAll(List.of(FORWARD_RULE));
        for (int i = 0; i < 10 && Shell.exec(Map.of(), delete).exitCode() == 0; i++) {
            // a crashed run may have left more than one
        }
    }

    /** Cuts every link between the nodes in side and the others. */
    static void isolate(Set<Integer> side) {
        Map<Integer, List<Integer>> peers = new java.util.TreeMap<>();
        for (int a : side) {
            for (int b = 1; b <= NODES; b++) {
                if (!side.contains(b)) {
                    peers.computeIfAbsent(a, n -> new ArrayList<>()).add(b);
                    peers.computeIfAbsent(b, n -> new ArrayList<>()).add(a);
                }
            }
        }
        peers.forEach(Network::drop);
    }

    /** Drops every packet between two nodes, both ways, on both ends. */
    static void cut(int a, int b) {
        drop(a, List.of(b));
        drop(b, List.of(a));
    }

    // One shell per namespace for all its rules, so that a cut takes effect within a few milliseconds.
    private static void drop(int on, List<Integer> peers) {
        StringBuilder rules = new StringBuilder("set -e");
        for (int peer : peers) {
            rules.append("; iptables -w -A INPUT -s ").append(ip(peer)).append(" -j DROP")
                    .append("; iptables -w -A OUTPUT -d ").append(ip(peer)).append(" -j DROP");
        }
        Shell.run("ip", "netns", "exec", namespace(on), "sh", "-c", rules.toString());
    }

    /** Removes every cut. */
    static void heal() {
        for (int node = 1; node <= NODES; node++) {
            Shell.run("ip", "netns", "exec", namespace(node), "iptables", "-w", "-F");
        }
    }
}
