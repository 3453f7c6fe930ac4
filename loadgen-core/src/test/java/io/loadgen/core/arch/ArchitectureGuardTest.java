package io.loadgen.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The build guards of loadgen-core's main code (ArchUnit over its compiled classes).
 *
 * <p>Rules that the code keeps today fail on any violation. Rules it does not keep yet (package cycles, the engine
 * on Netty) are frozen: the violations recorded in {@code src/test/resources/archunit_store} are allowed until they
 * are mended, and any new one fails the build (a new cycle, a new dependency inside a cycle, a new class of the
 * engine on Netty). A violation mended leaves the store by itself, so the store only shrinks.
 */
class ArchitectureGuardTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.loadgen.core");
    }

    @Test
    void coreKnowsNothingOfTheOtherModules() {
        noClasses().that().resideInAPackage("io.loadgen.core..").should()
                .dependOnClassesThat().resideInAnyPackage("io.loadgen.server..", "io.loadgen.cli..",
                        "io.loadgen.gui..", "io.loadgen.rmi..", "io.loadgen.prometheus..", "io.loadgen.bench..",
                        "io.loadgen.client..")
                .because("arrows between modules run one way: core knows nothing of the server, the CLI, the GUI,"
                        + " RMI, the Prometheus exposition or the client")
                .check(core);
    }

    @Test
    void corePackagesHaveNoCycles() {
        ArchRule rule = slices().matching("io.loadgen.(core.*)..").should().beFreeOfCycles()
                .because("a package cycle makes every change a change of all the packages in it");
        FreezingArchRule.freeze(rule).check(core);
    }

    @Test
    void theEngineDoesNotTouchNetty() {
        ArchRule rule = noClasses().that().resideInAnyPackage("io.loadgen.core.engine..", "io.loadgen.core.schedule..",
                "io.loadgen.core.metrics..", "io.loadgen.core.control..", "io.loadgen.core.search..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..")
                .because("Netty is the lean transport's business: the engine talks to transports, not to their"
                        + " event loops");
        FreezingArchRule.freeze(rule).check(core);
    }
}
