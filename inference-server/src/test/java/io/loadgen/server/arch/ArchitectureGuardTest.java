package io.loadgen.server.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The build guards of the bundled server's main code. Its package cycles today ({@code server}, {@code batching},
 * {@code http}, {@code metrics}) are frozen in {@code src/test/resources/archunit_store}: any new cycle or new
 * dependency inside one fails the build (see loadgen-core's {@code ArchitectureGuardTest}).
 */
class ArchitectureGuardTest {
    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.loadgen.server");
    }

    @Test
    void serverPackagesHaveNoCycles() {
        FreezingArchRule.freeze(slices().matching("io.loadgen.(**)").should()
                .beFreeOfCycles().because("a package cycle makes every change a change of all the packages in it"))
                .check(server);
    }

    @Test
    void theModelAndTheImagesKnowNothingOfHttp() {
        noClasses().that().resideInAnyPackage("io.loadgen.server.model..", "io.loadgen.server.image..").should()
                .dependOnClassesThat().resideInAnyPackage("io.loadgen.server.http..", "io.javalin..",
                        "org.eclipse.jetty..")
                .because("the model and the image pipeline serve any protocol: HTTP today, gRPC next")
                .check(server);
    }
}
