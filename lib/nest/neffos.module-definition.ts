import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';

export const {
  ConfigurableModuleClass: NeffosConfigurableModule,
  MODULE_OPTIONS_TOKEN: NEFFOS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<NeffosModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createNeffosOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
