package io.distlock.zookeeper;

import com.sun.tools.attach.VirtualMachine;
import io.distlock.testkit.server.ServerProcess;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Ends a client's session from the server's side, as an expiry would: through the ZooKeeper
 * server's own management beans (one per client connection, whose {@code terminateSession} closes
 * the session and deletes its ephemeral nodes), reached by attaching to the server's JVM. The
 * session is found by its id, which the test reads from the server too (a node's ephemeral owner),
 * so nothing of the client under test is opened up for it.
 */
final class ServerSideSessions {
    private ServerSideSessions() {
    }

    static void terminate(ServerProcess server, long sessionId) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(server.pid()));
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection beans = jmx.getMBeanServerConnection();
            String wanted = "0x" + Long.toHexString(sessionId);
            for (ObjectName name : beans.queryNames(new ObjectName("org.apache.ZooKeeperService:*"), null)) {
                if (name.getKeyProperty("name1") != null && name.getKeyProperty("name1").equals("Connections")
                        && wanted.equals(beans.getAttribute(name, "SessionId"))) {
                    beans.invoke(name, "terminateSession", new Object[0], new String[0]);
                    return;
                }
            }
            throw new IllegalStateException("no connection of session " + wanted + " on " + server);
        } finally {
            vm.detach();
        }
    }
}
