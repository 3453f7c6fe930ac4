package io.loadgen.rmi.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import org.junit.jupiter.api.Test;

/**
 * The build guards of loadgen-rmi's main code: no package cycles. The cycle there today ({@code rmi <-> rmi.fleet})
 * is frozen in {@code src/test/resources/archunit_store}: any new cycle or new dependency inside it fails the build
 * (see loadgen-core's {@code ArchitectureGuardTest}).
 */
class ArchitectureGuardTest {
    @Test
    void rmiPackagesHaveNoCycles() {
        JavaClasses rmi = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.loadgen.rmi");
        FreezingArchRule.freeze(slices().matching("io.loadgen.(**)").should()
                .beFreeOfCycles().because("a package cycle makes every change a change of all the packages in it"))
                .check(rmi);
    }
}
