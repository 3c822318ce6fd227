package io.github.reqcount.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A name server for the nodes, as Docker's embedded DNS is for the tasks of a stack: it answers A queries for the
 * names of the tasks that run (redis-N, sentinel-N), and a name whose task is gone gets what Docker gives it, which
 * a test chooses: NXDOMAIN at once (a reachable upstream resolver says no), or an answer only after a delay
 * (Docker forwards a name it doesn't know to the host's resolvers and waits for them; unreachable ones time out).
 * UDP on the bridge's host address, port 53; the nodes find it through /etc/netns/NODE/resolv.conf.
 */
final class NameServer implements AutoCloseable {

    private static final int A = 1, NOERROR = 0, SERVFAIL = 2, NXDOMAIN = 3;

    private final DatagramSocket socket;
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Map<String, Duration> gone = new ConcurrentHashMap<>();
    private final ScheduledExecutorService late = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "dns-late"));
    private final Thread loop;

    NameServer(String address) {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 53));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve DNS on " + address + ":53", e);
        }
        loop = daemon(this::serve, "dns");
        loop.start();
    }

    /** The name resolves to the address. */
    void add(String name, String address) {
        gone.remove(key(name));
        names.put(key(name), address);
    }

    /**
     * The name's task is gone: the name no longer resolves. With a zero delay the answer is NXDOMAIN at once, else
     * SERVFAIL after the delay, as Docker answers when the upstream resolvers it forwards to don't answer.
     */
    void remove(String name, Duration delay) {
        names.remove(key(name));
        gone.put(key(name), delay);
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()).slice(), packet.getSocketAddress());
            } catch (SocketException e) {
                return; // closed
            } catch (IOException | RuntimeException e) {
                // a malformed query: no answer, as from any server
            }
        }
    }

    private void answer(ByteBuffer query, java.net.SocketAddress client) {
        int id = query.getShort(0) & 0xffff, flags = query.getShort(2) & 0xffff;
        StringBuilder name = new StringBuilder();
        int at = 12;
        for (int length = query.get(at) & 0xff; length > 0; length = query.get(at) & 0xff) {
            name.append(name.length() > 0 ? "." : "")
                    .append(new String(query.array(), query.arrayOffset() + at + 1, length, StandardCharsets.US_ASCII));
            at += 1 + length;
        }
        int questionEnd = at + 1 + 4;
        int type = query.getShort(at + 1) & 0xffff;
        String key = key(name.toString());
        String address = names.get(key);
        Duration delay = gone.get(key);
        int rcode = address != null ? NOERROR : delay != null && !delay.isZero() ? SERVFAIL : NXDOMAIN;
        byte[] ip = address != null && type == A ? ipv4(address) : null;

        ByteBuffer reply = ByteBuffer.allocate(questionEnd + 16);
        reply.putShort((short) id).putShort((short) (0x8000 | (flags & 0x0100) | 0x0080 | rcode))
                .putShort((short) 1).putShort((short) (ip == null ? 0 : 1)).putShort((short) 0).putShort((short) 0);
        reply.put(query.array(), query.arrayOffset() + 12, questionEnd - 12);
        if (ip != null) {
            // A pointer to the question's name, type A, class IN, TTL 0 (Docker's records change with the tasks).
            reply.putShort((short) 0xc00c).putShort((short) A).putShort((short) 1).putInt(0).putShort((short) 4).put(ip);
        }
        DatagramPacket packet = new DatagramPacket(reply.array(), reply.position(), client);
        if (rcode == SERVFAIL) {
            late.schedule(() -> send(packet), delay.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            send(packet);
        }
    }

    private void send(DatagramPacket packet) {
        try {
            socket.send(packet);
        } catch (IOException e) {
            // the client gave up; so would Docker's resolver
        }
    }

    private static byte[] ipv4(String address) {
        String[] parts = address.split("\\.");
        byte[] ip = new byte[4];
        for (int i = 0; i < 4; i++) {
            ip[i] = (byte) Integer.parseInt(parts[i]);
        }
        return ip;
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        socket.close();
        late.shutdownNow();
    }
}
