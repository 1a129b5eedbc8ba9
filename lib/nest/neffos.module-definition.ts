import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';

export const {
  ConfigurableModuleClass: NeffosConfigurableModule,
  MODULE_OPTIONS_TOKEN: NEFFOS_MODULE_OPTIONS,
  OPTIONS_TYPE: NEFFOS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: NEFFOS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NeffosModuleOptions>()
  .setClassMethodName('forRoot')
  // forRootAsync({ useClass }) calls this method of the class (NeffosOptionsFactory).
  .setFactoryMethodName('createNeffosOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
